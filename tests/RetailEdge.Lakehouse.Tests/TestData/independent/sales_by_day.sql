SELECT b.local_date AS date, b.store_id, s.region, b.channel,
       CAST(count(DISTINCT b.basket_id) AS BIGINT) AS transactions,
       CAST(sum(l.units) AS DECIMAL(18,3)) AS units,
       CAST(sum(l.revenue) AS DECIMAL(18,2)) AS revenue,
       CAST(round(sum(l.revenue) / count(DISTINCT b.basket_id), 2) AS DECIMAL(18,2)) AS avg_ticket
FROM ev_basket b
JOIN (SELECT basket_id, sum(qty) AS units, sum(amount) AS revenue FROM ev_line GROUP BY basket_id) l ON l.basket_id = b.basket_id
LEFT JOIN ref_store s ON s.store_id = b.store_id
GROUP BY b.local_date, b.store_id, s.region, b.channel
