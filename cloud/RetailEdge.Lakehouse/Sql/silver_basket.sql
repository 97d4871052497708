-- silver.basket rows of the batches the bulk refine accepted: one per baskets row.
-- Reads: bulk_section (r = bronze record index, p = 1-based positions of the columns below in the
-- section's cols, w = the rows as sent) and refine_accepted (r, device_id, module_id, seq, store_id).
-- Cells are cast from their JSON text; dates are the store-local date of the timestamp as written.
SELECT a.device_id, a.module_id, a.seq, a.store_id,
       s.v[s.p[1]]                         AS basket_id,
       CAST(s.v[s.p[2]] AS TIMESTAMPTZ)    AS ts,
       s.v[s.p[3]]                         AS lane_id,
       s.v[s.p[4]]                         AS channel,
       s.v[s.p[5]]                         AS customer_id,
       CAST(s.v[s.p[6]] AS INTEGER)        AS lines,
       CAST(s.v[s.p[7]] AS DECIMAL(18,3))  AS qty,
       CAST(s.v[s.p[8]] AS DECIMAL(18,2))  AS amount,
       CAST(left(s.v[s.p[2]], 10) AS DATE) AS event_date
FROM (SELECT r, p, unnest(w) AS v FROM bulk_section) s
JOIN refine_accepted a ON a.r = s.r
