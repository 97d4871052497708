SELECT c.local_date AS date, c.store_id, c.item_id,
       CAST(sum(abs(c.qty)) AS DECIMAL(18,3)) AS units_lost,
       CAST(round(sum(abs(c.qty) * coalesce(i.unit_cost, 0)), 2) AS DECIMAL(18,2)) AS cost_lost
FROM ev_change c LEFT JOIN ref_item i USING (item_id)
WHERE c.change_type = 'shrink'
GROUP BY c.local_date, c.store_id, c.item_id
