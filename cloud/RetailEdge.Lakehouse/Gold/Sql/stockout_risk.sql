-- gold.stockout_risk: current position against the average daily units sold over the 7
-- store-local days ending at the store's newest date in silver (sale, bopis and return lines;
-- a store silent for longer than the last 7 date partitions reads as no sales).
-- Reads: gold_current_inventory (touched stores), silver_item_window (the last 7 date partitions).
-- silver is read once: per store, item and date, and both the newest date and the 7-day sums come from that.
WITH daily AS (
    SELECT store_id, item_id, event_date, sum(CASE WHEN change_type IN ('sale', 'return', 'bopis') THEN qty END) AS units
    FROM silver_item_window
    GROUP BY store_id, item_id, event_date
),
last_day AS (
    SELECT store_id, max(event_date) AS d FROM daily GROUP BY store_id
),
sold AS (
    SELECT d.store_id, d.item_id, sum(d.units) AS units
    FROM daily d
    JOIN last_day ON last_day.store_id = d.store_id
    WHERE d.event_date > last_day.d - 7
    GROUP BY d.store_id, d.item_id
)
SELECT
    c.store_id,
    c.item_id,
    c.current_quantity,
    c.safety_stock_quantity,
    CAST(round(coalesce(s.units, 0) / 7, 3) AS DECIMAL(18,3)) AS avg_daily_units,
    CAST(CASE WHEN s.units > 0 THEN round(c.current_quantity * 7 / s.units, 2) END AS DECIMAL(18,2)) AS days_of_cover
FROM gold_current_inventory c
LEFT JOIN sold s ON s.store_id = c.store_id AND s.item_id = c.item_id
