-- demo-migration.sql — the risky migration that `make demo` gates
-- (tests/harness/demo.sh, step 5): what a pull request to the shop might
-- hold.  Every statement runs fine on an empty development database and
-- hurts on production's 500,000 orders.
BEGIN;

-- the report of the N+1 asked for this index
CREATE INDEX orders_customer_id ON orders (customer_id);

-- a tracking id for every order
ALTER TABLE orders ADD COLUMN tracking uuid DEFAULT gen_random_uuid();

-- order ids are running out of int range on the items
ALTER TABLE order_items ALTER COLUMN quantity TYPE bigint;

-- every order must have a customer
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;

COMMIT;

-- a new table for gift cards, and its index: new, so nothing to lock
CREATE TABLE gift_cards (id bigint PRIMARY KEY, customer_id integer REFERENCES customers (id), balance numeric);
CREATE INDEX gift_cards_customer ON gift_cards (customer_id);

-- one account per email
ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email);

-- orders are to be partitioned by month: the key must hold created_at
ALTER TABLE orders DROP CONSTRAINT orders_pkey CASCADE;
ALTER TABLE orders ADD PRIMARY KEY (created_at, id);

-- "name" is "full_name" in the new customer model
ALTER TABLE customers RENAME COLUMN name TO full_name;
