-- gold.shrink: inventory_change lines with changeType shrink, valued at reference.item.unit_cost.
-- Reads: silver_item_window (the touched date partitions only), reference_item.
SELECT
    w.event_date                                                               AS date,
    w.store_id                                                                 AS store_id,
    w.item_id                                                                  AS item_id,
    CAST(sum(abs(w.qty)) AS DECIMAL(18,3))                                     AS units_lost,
    CAST(round(sum(abs(w.qty) * coalesce(i.unit_cost, 0)), 2) AS DECIMAL(18,2)) AS cost_lost
FROM silver_item_window w
LEFT JOIN reference_item i ON i.item_id = w.item_id
WHERE w.change_type = 'shrink'
GROUP BY w.event_date, w.store_id, w.item_id
