SELECT date_trunc('minute', ts) AS window_start, store_id, item_id,
       CAST(sum(qty) AS DECIMAL(18,3)) AS units, CAST(sum(amount) AS DECIMAL(18,2)) AS revenue, local_date AS date
FROM ev_line
GROUP BY date_trunc('minute', ts), store_id, item_id, local_date
