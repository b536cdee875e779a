DELETE FROM campaign_book
-- statement --
INSERT INTO campaign_book (campaign_id, book_id, kdc_class, reader_group, copies, kept, loans)
SELECT d.campaign_id, c.book_id, b.kdc_class, b.addon_reader_group,
       CAST(count(*) AS INTEGER), CAST(sum(CASE WHEN c.status = 'withdrawn' THEN 0 ELSE 1 END) AS INTEGER),
       CAST(sum(coalesce(l.loans, 0)) AS INTEGER)
FROM copy AS c
JOIN donation AS d ON d.id = c.donation_id
JOIN book AS b ON b.id = c.book_id
LEFT JOIN (SELECT copy_id, count(*) AS loans FROM loan GROUP BY copy_id) AS l
  ON l.copy_id = c.id
WHERE d.campaign_id IS NOT NULL
GROUP BY d.campaign_id, c.book_id, b.kdc_class, b.addon_reader_group
