SELECT l.item_id,
       CAST(sum(l.qty) AS DECIMAL(18,3)) AS units,
       CAST(sum(l.amount) AS DECIMAL(18,2)) AS revenue,
       CAST(round(sum(l.qty) * coalesce(any_value(i.unit_cost), 0), 2) AS DECIMAL(18,2)) AS cost,
       CAST(sum(l.amount) - round(sum(l.qty) * coalesce(any_value(i.unit_cost), 0), 2) AS DECIMAL(18,2)) AS gross_margin,
       -- ARCHITECTURE §9: the baskets containing the item (a basket with a sale and a return line of it counts once)
       CAST(count(DISTINCT l.basket_id) AS BIGINT) AS transactions,
       CAST(CASE WHEN sum(l.qty) <> 0 THEN round(sum(l.amount) / sum(l.qty), 2) END AS DECIMAL(18,2)) AS avg_unit_price
FROM ev_line l
LEFT JOIN ref_item i ON i.item_id = l.item_id
GROUP BY l.item_id
