SELECT b.customer_id,
       CAST(sum(l.revenue) AS DECIMAL(18,2)) AS total_spend,
       CAST(count(*) AS BIGINT) AS purchases,
       max(b.ts) AS last_purchase
FROM ev_basket b
JOIN (SELECT basket_id, sum(amount) AS revenue FROM ev_line GROUP BY basket_id) l ON l.basket_id = b.basket_id
WHERE b.customer_id IS NOT NULL
GROUP BY b.customer_id
