-- reuses the current_inventory reference as ref_current_inventory
WITH last_day AS (
    SELECT store_id, max(local_date) AS d
    FROM (SELECT store_id, local_date FROM ev_line UNION ALL SELECT store_id, local_date FROM ev_change) x
    GROUP BY store_id
),
sold AS (
    SELECT l.store_id, l.item_id, sum(l.qty) AS units
    FROM ev_line l JOIN last_day d ON d.store_id = l.store_id
    WHERE l.local_date > d.d - 7
    GROUP BY l.store_id, l.item_id
)
SELECT c.store_id, c.item_id, c.current_quantity, c.safety_stock_quantity,
       CAST(round(coalesce(s.units, 0) / 7, 3) AS DECIMAL(18,3)) AS avg_daily_units,
       CAST(CASE WHEN s.units > 0 THEN round(c.current_quantity * 7 / s.units, 2) END AS DECIMAL(18,2)) AS days_of_cover
FROM ref_current_inventory c
LEFT JOIN sold s ON s.store_id = c.store_id AND s.item_id = c.item_id
