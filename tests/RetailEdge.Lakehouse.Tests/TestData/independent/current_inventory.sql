WITH last_count AS (
    SELECT store_id, item_id, qty, ts
    FROM (SELECT *, row_number() OVER (PARTITION BY store_id, item_id ORDER BY ts DESC, qty DESC) AS rn FROM ev_count) c
    WHERE rn = 1
),
keys AS (
    SELECT store_id, item_id FROM ev_effect UNION SELECT store_id, item_id FROM last_count
),
since AS (
    SELECT k.store_id, k.item_id, sum(e.effect) AS change_quantity, max(e.ts) AS last_change
    FROM keys k
    LEFT JOIN last_count c ON c.store_id = k.store_id AND c.item_id = k.item_id
    JOIN ev_effect e ON e.store_id = k.store_id AND e.item_id = k.item_id AND (c.ts IS NULL OR e.ts >= c.ts)
    GROUP BY k.store_id, k.item_id
)
SELECT k.store_id, k.item_id,
       CAST(coalesce(c.qty, 0) AS DECIMAL(18,3)) AS snapshot_quantity,
       c.ts AS snapshot_time,
       CAST(coalesce(s.change_quantity, 0) AS DECIMAL(18,3)) AS change_quantity,
       CAST(coalesce(c.qty, 0) + coalesce(s.change_quantity, 0) AS DECIMAL(18,3)) AS current_quantity,
       greatest(c.ts, s.last_change) AS as_of,
       i.safety_stock_quantity,
       CASE WHEN i.safety_stock_quantity IS NULL THEN NULL
            ELSE coalesce(c.qty, 0) + coalesce(s.change_quantity, 0) < i.safety_stock_quantity END AS below_safety_stock
FROM keys k
LEFT JOIN last_count c ON c.store_id = k.store_id AND c.item_id = k.item_id
LEFT JOIN since s ON s.store_id = k.store_id AND s.item_id = k.item_id
LEFT JOIN ref_item i ON i.item_id = k.item_id
