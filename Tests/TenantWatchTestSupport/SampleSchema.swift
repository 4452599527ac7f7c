import TenantWatchSQL

/// A realistic `pg_dump --schema-only` text (PostgreSQL 15 style, plus a `\restrict` line as
/// recent pg_dump versions write it).
package let sampleDump = #"""
--
-- PostgreSQL database dump
--

\restrict 8mYq2Zc0pLxVbAq1

-- Dumped from database version 15.8
-- Dumped by pg_dump version 15.8

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;

CREATE SCHEMA billing;
ALTER SCHEMA billing OWNER TO app;

CREATE FUNCTION public.current_tenant() RETURNS integer
    LANGUAGE sql STABLE
    AS $$ SELECT current_setting('app.current_tenant')::integer $$;

SET default_tablespace = '';
SET default_table_access_method = heap;

CREATE TABLE public.orders (
    id bigint NOT NULL,
    tenant_id integer NOT NULL,
    customer_id bigint,
    status text DEFAULT 'new'::text,
    total numeric(12,2),
    created_at timestamp with time zone DEFAULT now()
);
ALTER TABLE public.orders OWNER TO app;

CREATE SEQUENCE public.orders_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.orders_id_seq OWNED BY public.orders.id;

CREATE TABLE public.order_items (
    id bigint NOT NULL,
    order_id bigint NOT NULL,
    tenant_id integer NOT NULL,
    sku text,
    qty integer
);

CREATE TABLE public.customers (
    id bigint NOT NULL,
    tenant_id integer NOT NULL,
    parent_id bigint,
    name text
);

CREATE TABLE public.plans (
    id integer NOT NULL,
    name text NOT NULL,
    price numeric
);

CREATE TABLE public.feature_flags (
    tenant_id integer,
    flag text
);

CREATE TABLE public."Orders" (
    id bigint,
    tenant_id integer
);

CREATE TABLE public.documents (
    id bigint NOT NULL,
    tenant_id integer NOT NULL,
    body text
);

CREATE TABLE public.notes (
    id bigint NOT NULL,
    tenant_id integer NOT NULL,
    body text
);

CREATE TABLE public.events (
    id bigint NOT NULL,
    tenant_id integer NOT NULL,
    at timestamp with time zone NOT NULL
)
PARTITION BY RANGE (at);

CREATE TABLE public.events_2026 (
    id bigint NOT NULL,
    tenant_id integer NOT NULL,
    at timestamp with time zone NOT NULL
);
ALTER TABLE ONLY public.events ATTACH PARTITION public.events_2026 FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2027-01-01 00:00:00+00');

CREATE TABLE billing.orders (
    id bigint NOT NULL,
    amount numeric
);

CREATE TABLE billing.ledger (
    id bigint NOT NULL,
    tenant_id integer NOT NULL,
    amount numeric
);

CREATE VIEW public.order_totals AS
 SELECT orders.tenant_id,
    sum(orders.total) AS total
   FROM public.orders
  GROUP BY orders.tenant_id;

ALTER TABLE ONLY public.orders ALTER COLUMN id SET DEFAULT nextval('public.orders_id_seq'::regclass);
ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
CREATE INDEX orders_tenant_idx ON public.orders USING btree (tenant_id);
ALTER TABLE ONLY public.order_items
    ADD CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES public.orders(id);

ALTER TABLE public.documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON public.documents USING ((tenant_id = (current_setting('app.current_tenant'::text))::integer));
ALTER TABLE ONLY public.notes ENABLE ROW LEVEL SECURITY;

--
-- PostgreSQL database dump complete
--

\unrestrict 8mYq2Zc0pLxVbAq1
"""#

package let sampleSchema = TenancySchema(pgDump: sampleDump, globalTables: ["feature_flags"])
package let noSchema = TenancySchema(tables: ["tickets"])
