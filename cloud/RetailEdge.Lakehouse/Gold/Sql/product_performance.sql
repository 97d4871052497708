-- gold.product_performance over all time, maintained additively: the current gold rows plus
-- the new silver rows (units, revenue and transactions are sums), cost at the current unit cost.
-- Reads: gold_current, new_silver_item_window, reference_item.
SELECT
    m.item_id                                                         AS item_id,
    CAST(m.units AS DECIMAL(18,3))                                    AS units,
    CAST(m.revenue AS DECIMAL(18,2))                                  AS revenue,
    CAST(round(m.units * coalesce(i.unit_cost, 0), 2) AS DECIMAL(18,2)) AS cost,
    CAST(m.revenue - round(m.units * coalesce(i.unit_cost, 0), 2) AS DECIMAL(18,2)) AS gross_margin,
    CAST(m.transactions AS BIGINT)                                    AS transactions,
    CAST(CASE WHEN m.units <> 0 THEN round(m.revenue / m.units, 2) END AS DECIMAL(18,2)) AS avg_unit_price
FROM (
    SELECT item_id, sum(units) AS units, sum(revenue) AS revenue, sum(transactions) AS transactions
    FROM (
        SELECT item_id, units, revenue, transactions FROM gold_current
        UNION ALL
        SELECT item_id, qty AS units, amount AS revenue, events AS transactions
        FROM new_silver_item_window
        WHERE change_type IN ('sale', 'return', 'bopis')
    ) u
    GROUP BY item_id
) m
LEFT JOIN reference_item i ON i.item_id = m.item_id
