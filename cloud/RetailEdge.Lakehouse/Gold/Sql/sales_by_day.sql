-- gold.sales_by_day (ARCHITECTURE.md §9): per store-local date, store and channel.
-- Reads: silver_basket (the touched date partitions only), reference_store.
SELECT
    b.event_date                                            AS date,
    b.store_id                                              AS store_id,
    s.region                                                AS region,
    b.channel                                               AS channel,
    CAST(count(*) AS BIGINT)                                AS transactions,
    CAST(sum(b.qty) AS DECIMAL(18,3))                       AS units,
    CAST(sum(b.amount) AS DECIMAL(18,2))                    AS revenue,
    CAST(round(sum(b.amount) / count(*), 2) AS DECIMAL(18,2)) AS avg_ticket
FROM silver_basket b
LEFT JOIN reference_store s ON s.store_id = b.store_id
GROUP BY b.event_date, b.store_id, s.region, b.channel
