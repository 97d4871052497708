SELECT store_id, item_id, CAST(qty AS DECIMAL(18,3)) AS quantity, ts AS snapshot_time
FROM (SELECT *, row_number() OVER (PARTITION BY store_id, item_id ORDER BY ts DESC, qty DESC) AS rn FROM ev_count) c
WHERE rn = 1
