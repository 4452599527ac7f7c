#ifndef TENANTWATCH_CLIBPQ_SHIM_H
#define TENANTWATCH_CLIBPQ_SHIM_H
#include <postgresql/libpq-fe.h>

/* The SQLSTATE field code of PQresultErrorField (a character macro Swift does not import). */
static inline int tw_pq_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }

#endif
