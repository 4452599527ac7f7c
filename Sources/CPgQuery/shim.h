#ifndef TENANTWATCH_CPGQUERY_SHIM_H
#define TENANTWATCH_CPGQUERY_SHIM_H
#include <pg_query.h>
#endif
