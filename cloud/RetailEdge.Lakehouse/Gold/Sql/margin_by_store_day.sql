-- gold.margin_by_store_day: revenue and cost of POS lines, shrink at unit cost (reference.item).
-- Reads: silver_item_window (the touched date partitions only), reference_item.
SELECT
    date,
    store_id,
    CAST(revenue AS DECIMAL(18,2))                                              AS revenue,
    CAST(cost AS DECIMAL(18,2))                                                 AS cost,
    CAST(revenue - cost AS DECIMAL(18,2))                                       AS gross_margin,
    CAST(CASE WHEN revenue <> 0 THEN round((revenue - cost) * 100 / revenue, 2) END AS DECIMAL(18,2)) AS margin_pct,
    CAST(shrink_cost AS DECIMAL(18,2))                                          AS shrink_cost
FROM (
    SELECT
        w.event_date AS date,
        w.store_id   AS store_id,
        sum(CASE WHEN w.change_type IN ('sale', 'return', 'bopis') THEN w.amount ELSE 0 END) AS revenue,
        round(sum(CASE WHEN w.change_type IN ('sale', 'return', 'bopis') THEN w.qty * coalesce(i.unit_cost, 0) ELSE 0 END), 2) AS cost,
        round(sum(CASE WHEN w.change_type = 'shrink' THEN abs(w.qty) * coalesce(i.unit_cost, 0) ELSE 0 END), 2) AS shrink_cost
    FROM silver_item_window w
    LEFT JOIN reference_item i ON i.item_id = w.item_id
    GROUP BY w.event_date, w.store_id
) t
