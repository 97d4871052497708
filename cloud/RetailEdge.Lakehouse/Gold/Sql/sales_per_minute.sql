-- gold.sales_per_minute: units and revenue of sale, bopis and return lines per minute window.
-- Windows shorter than a minute (a gateway with windowSeconds 10..30) add up into their minute;
-- longer ones keep their start.
-- Reads: silver_item_window (the touched date partitions only).
SELECT
    date_trunc('minute', w.window_start)    AS window_start,
    w.store_id                              AS store_id,
    w.item_id                               AS item_id,
    CAST(sum(w.qty) AS DECIMAL(18,3))       AS units,
    CAST(sum(w.amount) AS DECIMAL(18,2))    AS revenue,
    w.event_date                            AS date
FROM silver_item_window w
WHERE w.change_type IN ('sale', 'return', 'bopis')
GROUP BY date_trunc('minute', w.window_start), w.store_id, w.item_id, w.event_date
