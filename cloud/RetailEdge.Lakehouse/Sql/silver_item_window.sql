-- silver.item_window rows of the batches the bulk refine accepted: one per items row.
-- Reads: bulk_section (r = bronze record index, p = 1-based positions of the columns below in the
-- section's cols, w = the rows as sent) and refine_accepted (r, device_id, module_id, seq, store_id).
-- Cells are cast from their JSON text; dates are the store-local date of the timestamp as written.
SELECT a.device_id, a.module_id, a.seq, a.store_id,
       CAST(s.v[s.p[1]] AS TIMESTAMPTZ)    AS window_start,
       CAST(s.v[s.p[2]] AS BIGINT)         AS item_id,
       s.v[s.p[3]]                         AS change_type,
       s.v[s.p[4]]                         AS channel,
       CAST(s.v[s.p[5]] AS INTEGER)        AS events,
       CAST(s.v[s.p[6]] AS DECIMAL(18,3))  AS qty,
       CAST(s.v[s.p[7]] AS DECIMAL(18,2))  AS amount,
       CAST(s.v[s.p[8]] AS DECIMAL(18,2))  AS discount,
       CAST(left(s.v[s.p[1]], 10) AS DATE) AS event_date
FROM (SELECT r, p, unnest(w) AS v FROM bulk_section) s
JOIN refine_accepted a ON a.r = s.r
