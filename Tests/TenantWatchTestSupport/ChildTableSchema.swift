import TenantWatchSQL

/// A normalised schema as `pg_dump --schema-only` writes it: the tenant column only on the root
/// tables (`customers.tenant_id`, `purchase_orders.org_id`, `users.org_id`, `orders.tenant_id`);
/// every other table belongs to a tenant through its foreign keys. Foreign keys come in each form
/// pg_dump and hand-written DDL use: `ALTER TABLE ONLY ... ADD CONSTRAINT ... FOREIGN KEY`, inline
/// `REFERENCES t(col)`, inline `REFERENCES t` (the primary key), table-level `FOREIGN KEY`, a
/// multi-column key, a self-reference and a cycle.
package let childDump = #"""
--
-- PostgreSQL database dump
--

\restrict Zq9

SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TABLE public.customers (
    id integer NOT NULL,
    tenant_id integer NOT NULL,
    name text
);
CREATE TABLE public.invoices (
    id integer NOT NULL,
    customer_id integer NOT NULL,
    number text
);
CREATE TABLE public.line_items (
    id integer NOT NULL,
    invoice_id integer NOT NULL,
    qty integer
);
CREATE TABLE public.payments (
    id integer PRIMARY KEY,
    invoice_id integer REFERENCES public.invoices,
    amount numeric
);
CREATE TABLE public.invoice_versions (
    invoice_id integer NOT NULL REFERENCES public.invoices(id),
    version integer NOT NULL,
    total numeric,
    PRIMARY KEY (invoice_id, version)
);
CREATE TABLE public.version_notes (
    id integer NOT NULL,
    invoice_id integer NOT NULL,
    version integer NOT NULL,
    body text,
    FOREIGN KEY (invoice_id, version) REFERENCES public.invoice_versions(invoice_id, version)
);
CREATE TABLE public.purchase_orders (
    id integer NOT NULL,
    org_id integer NOT NULL,
    title text
);
CREATE TABLE public.messages (
    id integer NOT NULL,
    po_id integer NOT NULL,
    body text
);
CREATE TABLE public.attachments (
    id integer NOT NULL,
    message_id integer NOT NULL,
    path text
);
CREATE TABLE public.employees (
    id integer NOT NULL,
    customer_id integer NOT NULL REFERENCES public.customers(id),
    manager_id integer REFERENCES public.employees(id),
    name text
);
CREATE TABLE public.cyc_a (
    id integer NOT NULL,
    b_id integer
);
CREATE TABLE public.cyc_b (
    id integer NOT NULL,
    a_id integer,
    customer_id integer
);
CREATE TABLE public.loop_x (
    id integer NOT NULL,
    y_id integer
);
CREATE TABLE public.loop_y (
    id integer NOT NULL,
    x_id integer
);
CREATE TABLE public.users (
    id integer NOT NULL,
    org_id integer NOT NULL,
    email text
);
CREATE TABLE public.orders (
    id integer NOT NULL,
    tenant_id integer NOT NULL
);
CREATE TABLE public.order_lines (
    id integer NOT NULL,
    order_id integer NOT NULL,
    qty integer
);
CREATE TABLE public.countries (
    code text NOT NULL,
    name text
);

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.line_items
    ADD CONSTRAINT line_items_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.purchase_orders
    ADD CONSTRAINT purchase_orders_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.cyc_a
    ADD CONSTRAINT cyc_a_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.cyc_b
    ADD CONSTRAINT cyc_b_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);
ALTER TABLE ONLY public.line_items
    ADD CONSTRAINT line_items_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES public.invoices(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_po_id_fkey FOREIGN KEY (po_id) REFERENCES public.purchase_orders(id);
ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.messages(id);
ALTER TABLE ONLY public.cyc_a
    ADD CONSTRAINT cyc_a_b_fkey FOREIGN KEY (b_id) REFERENCES public.cyc_b(id);
ALTER TABLE ONLY public.cyc_b
    ADD CONSTRAINT cyc_b_a_fkey FOREIGN KEY (a_id) REFERENCES public.cyc_a(id);
ALTER TABLE ONLY public.cyc_b
    ADD CONSTRAINT cyc_b_customer_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);
ALTER TABLE ONLY public.loop_x
    ADD CONSTRAINT loop_x_y_fkey FOREIGN KEY (y_id) REFERENCES public.loop_y(id);
ALTER TABLE ONLY public.loop_y
    ADD CONSTRAINT loop_y_x_fkey FOREIGN KEY (x_id) REFERENCES public.loop_x(id);
"""#

/// The schema with `order_lines` tied to `orders` by config (`[tenancy] parents`), as for a
/// relation the dump does not declare.
package let childSchema: TenancySchema = {
    var s = TenancySchema(pgDump: childDump, tenantColumns: ["tenant_id", "org_id"])
    s.addParents([try! ForeignKey.configured(child: "order_lines", "order_id -> orders.id").get()])
    return s
}()

/// The same with `[tenancy] caller_table = "users"` (key `id`, tenant column `org_id`).
package let callerSchema: TenancySchema = {
    var s = childSchema
    s.setCaller(CallerRow(table: TableName(name: "users"), key: "id", tenantColumn: "org_id"))
    return s
}()
