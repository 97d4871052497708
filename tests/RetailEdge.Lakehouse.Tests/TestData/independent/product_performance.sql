SELECT l.item_id,
       CAST(sum(l.qty) AS DECIMAL(18,3)) AS units,
       CAST(sum(l.amount) AS DECIMAL(18,2)) AS revenue,
       CAST(round(sum(l.qty) * coalesce(any_value(i.unit_cost), 0), 2) AS DECIMAL(18,2)) AS cost,
       CAST(sum(l.amount) - round(sum(l.qty) * coalesce(any_value(i.unit_cost), 0), 2) AS DECIMAL(18,2)) AS gross_margin,
       -- baskets per line kind (ChangeTypes.ForBasketLine): the telemetry's items rows count distinct
       -- events per (window, item, change type, channel), so a basket holding both a sale and a
       -- return line of the item counts once for each (documented in the Lakehouse README)
       CAST(count(DISTINCT l.basket_id || ':' || CASE WHEN l.channel = 'bopis' THEN 'bopis' WHEN l.qty < 0 THEN 'return' ELSE 'sale' END) AS BIGINT) AS transactions,
       CAST(CASE WHEN sum(l.qty) <> 0 THEN round(sum(l.amount) / sum(l.qty), 2) END AS DECIMAL(18,2)) AS avg_unit_price
FROM ev_line l
LEFT JOIN ref_item i ON i.item_id = l.item_id
GROUP BY l.item_id
