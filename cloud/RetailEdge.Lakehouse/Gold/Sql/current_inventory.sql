-- gold.current_inventory: latest count plus all changes at or after it (ARCHITECTURE.md §9).
-- The gateways compute that position from the complete ordered event stream of their store
-- (BOPIS lines leave the fulfilling store's stock once); the cloud keeps per key the position
-- row of the highest (as_of, seq) and never lets an older count replace a newer one.
-- Reads: gold_current (touched stores), new_silver_inventory_position, new_silver_inventory_snapshot, reference_item.
WITH pos AS (
    -- one aggregate pass instead of a window sorted per key (the same row: the highest (as_of, seq)), and
    -- arg_max_null keeps a NULL position where the newest row has one (arg_max would skip that row)
    SELECT store_id, item_id, arg_max_null(position, (as_of, seq)) AS position, max(as_of) AS as_of
    FROM new_silver_inventory_position
    GROUP BY store_id, item_id
),
snap AS (
    SELECT store_id, item_id, qty, ts
    FROM (
        SELECT store_id, item_id, qty, ts,
               row_number() OVER (PARTITION BY store_id, item_id ORDER BY ts DESC, qty DESC) AS rn
        FROM new_silver_inventory_snapshot
    ) s
    WHERE rn = 1
),
keys AS (
    SELECT store_id, item_id FROM gold_current
    UNION
    SELECT store_id, item_id FROM pos
    UNION
    SELECT store_id, item_id FROM snap
),
merged AS (
    SELECT
        k.store_id,
        k.item_id,
        CASE WHEN snap.ts IS NOT NULL AND (g.snapshot_time IS NULL OR snap.ts >= g.snapshot_time)
             THEN snap.qty ELSE g.snapshot_quantity END AS snapshot_quantity,
        CASE WHEN snap.ts IS NOT NULL AND (g.snapshot_time IS NULL OR snap.ts >= g.snapshot_time)
             THEN snap.ts ELSE g.snapshot_time END AS snapshot_time,
        CASE WHEN pos.as_of IS NOT NULL AND (g.as_of IS NULL OR pos.as_of >= g.as_of)
             THEN pos.position ELSE g.current_quantity END AS position,
        CASE WHEN pos.as_of IS NOT NULL AND (g.as_of IS NULL OR pos.as_of >= g.as_of)
             THEN pos.as_of ELSE g.as_of END AS as_of
    FROM keys k
    LEFT JOIN gold_current g ON g.store_id = k.store_id AND g.item_id = k.item_id
    LEFT JOIN pos ON pos.store_id = k.store_id AND pos.item_id = k.item_id
    LEFT JOIN snap ON snap.store_id = k.store_id AND snap.item_id = k.item_id
)
SELECT
    m.store_id,
    m.item_id,
    CAST(coalesce(m.snapshot_quantity, 0) AS DECIMAL(18,3))                                         AS snapshot_quantity,
    m.snapshot_time,
    CAST(coalesce(m.position, m.snapshot_quantity, 0) - coalesce(m.snapshot_quantity, 0) AS DECIMAL(18,3)) AS change_quantity,
    CAST(coalesce(m.position, m.snapshot_quantity, 0) AS DECIMAL(18,3))                             AS current_quantity,
    coalesce(m.as_of, m.snapshot_time)                                                               AS as_of,
    CAST(i.safety_stock_quantity AS DECIMAL(18,3))                                                   AS safety_stock_quantity,
    CASE WHEN i.safety_stock_quantity IS NULL THEN NULL
         ELSE coalesce(m.position, m.snapshot_quantity, 0) < i.safety_stock_quantity END             AS below_safety_stock
FROM merged m
LEFT JOIN reference_item i ON i.item_id = m.item_id
