-- gold.top_customers, maintained additively: spend and purchases are sums, last purchase a max.
-- Reads: gold_current, new_silver_basket.
SELECT
    customer_id,
    CAST(sum(total_spend) AS DECIMAL(18,2)) AS total_spend,
    CAST(sum(purchases) AS BIGINT)          AS purchases,
    max(last_purchase)                      AS last_purchase
FROM (
    SELECT customer_id, total_spend, purchases, last_purchase FROM gold_current
    UNION ALL
    SELECT customer_id, amount AS total_spend, 1 AS purchases, ts AS last_purchase
    FROM new_silver_basket
    WHERE customer_id IS NOT NULL
) u
GROUP BY customer_id
