-- demo-schema.sql — the small shop that `make demo` analyses.
--
-- Loaded by tests/harness/demo.sh with psql into a fresh database `shop`,
-- then played against by tests/harness/demo-app.c.  The tables are large
-- enough for plans to matter (a sequential scan of order_items costs tens of
-- milliseconds, an index lookup a fraction of one), and the indexes an
-- application would need are left out on purpose:
--
--   orders (customer_id)          the "recent orders of a customer" lookup
--   order_items (order_id)        the items of an order; also a foreign key
--   customers (lower(email))      the case-insensitive login lookup
--
-- Every value is computed from generate_series() arithmetic, so the data are
-- the same on every run and every machine.  The foreign keys are added after
-- the load (one validating join instead of a check per row), and ANALYZE
-- runs last so the planner sees the data.  The load takes a few seconds.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- ~50k customers; one in three emails has capitals, as people type them.
CREATE TABLE customers (
    id          integer PRIMARY KEY,
    email       text NOT NULL,
    name        text NOT NULL,
    country     text NOT NULL,
    created_at  timestamptz NOT NULL
);

-- The catalogue: few rows but many columns (the SELECT * of the demo).
CREATE TABLE products (
    id            integer PRIMARY KEY,
    sku           text NOT NULL UNIQUE,
    name          text NOT NULL,
    category      text NOT NULL,
    brand         text NOT NULL,
    price         numeric(10,2) NOT NULL,
    cost          numeric(10,2) NOT NULL,
    weight_g      integer NOT NULL,
    width_mm      integer NOT NULL,
    height_mm     integer NOT NULL,
    depth_mm      integer NOT NULL,
    color         text NOT NULL,
    size          text NOT NULL,
    material      text NOT NULL,
    stock         integer NOT NULL,
    reorder_level integer NOT NULL,
    supplier      text NOT NULL,
    origin        text NOT NULL,
    ean           text NOT NULL,
    active        boolean NOT NULL,
    rating        numeric(3,2) NOT NULL,
    summary       text NOT NULL,
    description   text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- ~500k orders, ten per customer, one a minute through 2023.
CREATE TABLE orders (
    id           bigint PRIMARY KEY,
    customer_id  integer NOT NULL,
    status       text NOT NULL,
    total        numeric(12,2) NOT NULL,
    created_at   timestamptz NOT NULL
);

-- ~1M order lines, two per order.
CREATE TABLE order_items (
    id          bigint PRIMARY KEY,
    order_id    bigint NOT NULL,
    product_id  integer NOT NULL,
    quantity    integer NOT NULL,
    unit_price  numeric(10,2) NOT NULL
);

-- An append-only log of what customers did.
CREATE TABLE events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  integer,
    kind         text NOT NULL,
    payload      text,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Application settings, read far more often than they change.
CREATE TABLE settings (
    key    text PRIMARY KEY,
    value  text NOT NULL
);

-- generate_series() in the target list streams its rows; in FROM it would be
-- materialized first.
INSERT INTO customers (id, email, name, country, created_at)
SELECT g,
       CASE WHEN g % 3 = 0 THEN 'Customer' || g || '@Example.com'
            ELSE 'customer' || g || '@example.com' END,
       'Customer ' || g,
       (ARRAY['FR', 'DE', 'ES', 'IT', 'NL', 'BE', 'PT', 'PL'])[1 + g % 8],
       timestamptz '2022-01-01 00:00:00+00' + g * interval '10 minutes'
  FROM (SELECT generate_series(1, 50000) AS g) AS s;

INSERT INTO products (id, sku, name, category, brand, price, cost, weight_g,
                      width_mm, height_mm, depth_mm, color, size, material,
                      stock, reorder_level, supplier, origin, ean, active,
                      rating, summary, description, created_at, updated_at)
SELECT g, 'SKU-' || lpad(g::text, 6, '0'), 'Product ' || g,
       (ARRAY['books', 'garden', 'kitchen', 'toys', 'tools', 'sports'])[1 + g % 6],
       'Brand ' || (g % 40), 5 + (g * 37) % 200 + 0.99, 2 + (g * 37) % 120 + 0.50,
       100 + (g * 13) % 5000, 10 + g % 400, 10 + (g * 7) % 400, 10 + (g * 11) % 400,
       (ARRAY['red', 'green', 'blue', 'black', 'white'])[1 + g % 5],
       (ARRAY['S', 'M', 'L', 'XL'])[1 + g % 4],
       (ARRAY['wood', 'steel', 'cotton', 'plastic'])[1 + g % 4],
       (g * 17) % 500, 20, 'Supplier ' || (g % 25),
       (ARRAY['FR', 'DE', 'CN', 'US'])[1 + g % 4],
       lpad(((g::bigint * 7919) % 10000000000000)::text, 13, '0'),
       g % 50 <> 0, 1 + (g % 400) / 100.0,
       'A sturdy product number ' || g || ' for everyday use.',
       repeat('Long description of product ' || g || '. ', 20),
       timestamptz '2021-01-01 00:00:00+00' + g * interval '1 hour',
       timestamptz '2023-06-01 00:00:00+00' + g * interval '1 minute'
  FROM (SELECT generate_series(1, 2000) AS g) AS s;

-- Customer 1 + (g * 7919) % 50000: 7919 is prime to 50000, so every
-- customer gets exactly ten orders, spread over the year.
INSERT INTO orders (id, customer_id, status, total, created_at)
SELECT g, 1 + (g::bigint * 7919) % 50000,
       CASE WHEN g % 20 = 0 THEN 'cancelled'
            WHEN g > 490000 THEN 'pending'
            WHEN g > 470000 THEN 'shipped'
            ELSE 'delivered' END,
       10 + (g * 31) % 490 + 0.99,
       timestamptz '2023-01-01 00:00:00+00' + g * interval '1 minute'
  FROM (SELECT generate_series(1, 500000) AS g) AS s;

INSERT INTO order_items (id, order_id, product_id, quantity, unit_price)
SELECT g, 1 + (g - 1) / 2, 1 + (g * 61) % 2000, 1 + g % 3, 5 + (g * 37) % 200 + 0.99
  FROM (SELECT generate_series(1, 1000000) AS g) AS s;

INSERT INTO events (customer_id, kind, payload, created_at)
SELECT 1 + (g * 13) % 50000,
       (ARRAY['login', 'view', 'cart', 'checkout'])[1 + g % 4],
       'page=/p/' || (g % 2000),
       timestamptz '2023-01-01 00:00:00+00' + g * interval '2 minutes'
  FROM (SELECT generate_series(1, 100000) AS g) AS s;

INSERT INTO settings (key, value) VALUES
    ('currency', 'EUR'), ('vat_rate', '0.20'), ('locale', 'fr_FR'),
    ('timezone', 'Europe/Paris'), ('shipping_free_above', '50'),
    ('shipping_flat', '4.90'), ('max_cart_items', '100'),
    ('support_email', 'help@example.com'), ('orders_per_page', '50'),
    ('session_ttl_min', '30'), ('feature_reviews', 'on'),
    ('feature_wishlist', 'off'), ('returns_days', '30'),
    ('newsletter', 'weekly'), ('theme', 'light'), ('search_engine', 'builtin'),
    ('payment_provider', 'acme-pay'), ('stock_warning', '5'),
    ('maintenance', 'off'), ('motd', 'Welcome!');

ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE order_items ADD FOREIGN KEY (order_id) REFERENCES orders (id);
ALTER TABLE order_items ADD FOREIGN KEY (product_id) REFERENCES products (id);

VACUUM ANALYZE;
