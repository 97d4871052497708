-- gold.latest_inventory_snapshot: the newest count per (store, item); an older count never
-- replaces a newer one. Reads: gold_current (touched stores), new_silver_inventory_snapshot.
SELECT store_id, item_id, CAST(quantity AS DECIMAL(18,3)) AS quantity, snapshot_time
FROM (
    SELECT store_id, item_id, quantity, snapshot_time,
           row_number() OVER (PARTITION BY store_id, item_id ORDER BY snapshot_time DESC, quantity DESC) AS rn
    FROM (
        SELECT store_id, item_id, quantity, snapshot_time FROM gold_current
        UNION ALL
        SELECT store_id, item_id, qty AS quantity, ts AS snapshot_time FROM new_silver_inventory_snapshot
    ) u
) r
WHERE rn = 1
