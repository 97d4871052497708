WITH sales AS (
    SELECT local_date, store_id, sum(amount) AS revenue, round(sum(qty * coalesce(i.unit_cost, 0)), 2) AS cost
    FROM ev_line l LEFT JOIN ref_item i USING (item_id)
    GROUP BY local_date, store_id
),
shrink AS (
    SELECT local_date, store_id, round(sum(abs(qty) * coalesce(i.unit_cost, 0)), 2) AS shrink_cost
    FROM ev_change c LEFT JOIN ref_item i USING (item_id)
    WHERE change_type = 'shrink'
    GROUP BY local_date, store_id
),
days AS (
    SELECT local_date, store_id FROM ev_line UNION SELECT local_date, store_id FROM ev_change
)
SELECT d.local_date AS date, d.store_id,
       CAST(coalesce(s.revenue, 0) AS DECIMAL(18,2)) AS revenue,
       CAST(coalesce(s.cost, 0) AS DECIMAL(18,2)) AS cost,
       CAST(coalesce(s.revenue, 0) - coalesce(s.cost, 0) AS DECIMAL(18,2)) AS gross_margin,
       CAST(CASE WHEN coalesce(s.revenue, 0) <> 0 THEN round((s.revenue - s.cost) * 100 / s.revenue, 2) END AS DECIMAL(18,2)) AS margin_pct,
       CAST(coalesce(k.shrink_cost, 0) AS DECIMAL(18,2)) AS shrink_cost
FROM days d
LEFT JOIN sales s ON s.local_date = d.local_date AND s.store_id = d.store_id
LEFT JOIN shrink k ON k.local_date = d.local_date AND k.store_id = d.store_id
