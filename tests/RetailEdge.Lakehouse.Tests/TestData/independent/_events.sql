-- The independent computation: the simulator's valid events (JSONL) straight into the gold
-- figures of ARCHITECTURE.md §9, never through the gateway's aggregation or the lake.
-- {events}, {stores} and {items} are replaced with file paths by the test.
CREATE OR REPLACE TEMP TABLE ev AS
SELECT json AS j,
       json->>'type' AS type,
       json->>'id' AS id,
       CAST(json->>'storeId' AS INTEGER) AS store_id,
       CAST(json->>'ts' AS TIMESTAMPTZ) AS ts,
       CAST(substr(json->>'ts', 1, 10) AS DATE) AS local_date
FROM read_ndjson_objects('{events}');

CREATE OR REPLACE TEMP TABLE ev_basket AS
SELECT id AS basket_id, store_id, ts, local_date, j->>'channel' AS channel, j->>'customerId' AS customer_id, j
FROM ev WHERE type = 'basket';

CREATE OR REPLACE TEMP TABLE ev_line AS
SELECT basket_id, store_id, ts, local_date, channel, customer_id,
       CAST(l->>'itemId' AS BIGINT) AS item_id,
       CAST(l->>'qty' AS DECIMAL(18,3)) AS qty,
       round(CAST(l->>'qty' AS DECIMAL(18,3)) * CAST(l->>'unitPrice' AS DECIMAL(18,4)), 2)
         - coalesce(CAST(l->>'discount' AS DECIMAL(18,2)), 0) AS amount
FROM (SELECT *, unnest(CAST(j->'lines' AS JSON[])) AS l FROM ev_basket) x;

CREATE OR REPLACE TEMP TABLE ev_change AS
SELECT id, store_id, ts, local_date, j->>'changeType' AS change_type,
       CAST(l->>'itemId' AS BIGINT) AS item_id, CAST(l->>'qty' AS DECIMAL(18,3)) AS qty
FROM (SELECT *, unnest(CAST(j->'lines' AS JSON[])) AS l FROM ev WHERE type = 'inventory_change') x;

CREATE OR REPLACE TEMP TABLE ev_count AS
SELECT id, store_id, ts, CAST(l->>'itemId' AS BIGINT) AS item_id, CAST(l->>'qty' AS DECIMAL(18,3)) AS qty
FROM (SELECT *, unnest(CAST(j->'counts' AS JSON[])) AS l FROM ev WHERE type = 'inventory_snapshot') x;

-- every stock movement with its signed effect: basket lines leave (returns come back), restock +|q|, shrink −|q|, adjustment signed
CREATE OR REPLACE TEMP TABLE ev_effect AS
SELECT store_id, item_id, ts, -qty AS effect FROM ev_line
UNION ALL
SELECT store_id, item_id, ts,
       CASE change_type WHEN 'restock' THEN abs(qty) WHEN 'shrink' THEN -abs(qty) ELSE qty END
FROM ev_change;

CREATE OR REPLACE TEMP TABLE ref_store AS SELECT * FROM read_csv('{stores}', header = true, auto_detect = true);
CREATE OR REPLACE TEMP TABLE ref_item AS
SELECT CAST(item_id AS BIGINT) AS item_id, CAST(unit_cost AS DECIMAL(18,2)) AS unit_cost,
       CAST(safety_stock_quantity AS DECIMAL(18,3)) AS safety_stock_quantity
FROM read_csv('{items}', header = true, auto_detect = true);
