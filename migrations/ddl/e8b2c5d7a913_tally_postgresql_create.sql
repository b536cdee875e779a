CREATE OR REPLACE FUNCTION tally_copy_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO campaign_book (campaign_id, book_id, kdc_class, reader_group, copies, kept, loans)
SELECT d.campaign_id, b.id, b.kdc_class, b.addon_reader_group, 1, CASE WHEN NEW.status = 'withdrawn' THEN 0 ELSE 1 END,
       (SELECT count(*) FROM loan WHERE loan.copy_id = NEW.id)
FROM donation AS d, book AS b
WHERE d.id = NEW.donation_id AND d.campaign_id IS NOT NULL AND b.id = NEW.book_id
ON CONFLICT (campaign_id, book_id) DO UPDATE SET
  copies = campaign_book.copies + excluded.copies,
  kept = campaign_book.kept + excluded.kept,
  loans = campaign_book.loans + excluded.loans;
  RETURN NULL;
END
$$
-- statement --
CREATE TRIGGER tally_copy_insert AFTER INSERT ON copy FOR EACH ROW WHEN (NEW.donation_id IS NOT NULL) EXECUTE FUNCTION tally_copy_insert()
-- statement --
CREATE OR REPLACE FUNCTION tally_copy_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE campaign_book SET
  copies = copies - 1,
  kept = kept - CASE WHEN OLD.status = 'withdrawn' THEN 0 ELSE 1 END,
  loans = loans - (SELECT count(*) FROM loan WHERE loan.copy_id = OLD.id)
WHERE book_id = OLD.book_id
  AND campaign_id = (SELECT campaign_id FROM donation WHERE id = OLD.donation_id);
  RETURN NULL;
END
$$
-- statement --
CREATE TRIGGER tally_copy_delete AFTER DELETE ON copy FOR EACH ROW WHEN (OLD.donation_id IS NOT NULL) EXECUTE FUNCTION tally_copy_delete()
-- statement --
CREATE OR REPLACE FUNCTION tally_copy_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE campaign_book SET
  copies = copies - 1,
  kept = kept - CASE WHEN OLD.status = 'withdrawn' THEN 0 ELSE 1 END,
  loans = loans - (SELECT count(*) FROM loan WHERE loan.copy_id = OLD.id)
WHERE book_id = OLD.book_id
  AND campaign_id = (SELECT campaign_id FROM donation WHERE id = OLD.donation_id);
  INSERT INTO campaign_book (campaign_id, book_id, kdc_class, reader_group, copies, kept, loans)
SELECT d.campaign_id, b.id, b.kdc_class, b.addon_reader_group, 1, CASE WHEN NEW.status = 'withdrawn' THEN 0 ELSE 1 END,
       (SELECT count(*) FROM loan WHERE loan.copy_id = NEW.id)
FROM donation AS d, book AS b
WHERE d.id = NEW.donation_id AND d.campaign_id IS NOT NULL AND b.id = NEW.book_id
ON CONFLICT (campaign_id, book_id) DO UPDATE SET
  copies = campaign_book.copies + excluded.copies,
  kept = campaign_book.kept + excluded.kept,
  loans = campaign_book.loans + excluded.loans;
  RETURN NULL;
END
$$
-- statement --
CREATE TRIGGER tally_copy_update AFTER UPDATE ON copy FOR EACH ROW WHEN (OLD.donation_id IS DISTINCT FROM NEW.donation_id OR OLD.book_id <> NEW.book_id OR (OLD.status = 'withdrawn') <> (NEW.status = 'withdrawn')) EXECUTE FUNCTION tally_copy_update()
-- statement --
CREATE OR REPLACE FUNCTION tally_loan_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE campaign_book SET loans = loans + 1
WHERE book_id = (SELECT book_id FROM copy WHERE id = NEW.copy_id)
  AND campaign_id = (SELECT d.campaign_id FROM copy AS c, donation AS d
                     WHERE c.id = NEW.copy_id AND d.id = c.donation_id);
  RETURN NULL;
END
$$
-- statement --
CREATE TRIGGER tally_loan_insert AFTER INSERT ON loan FOR EACH ROW  EXECUTE FUNCTION tally_loan_insert()
-- statement --
CREATE OR REPLACE FUNCTION tally_loan_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE campaign_book SET loans = loans - 1
WHERE book_id = (SELECT book_id FROM copy WHERE id = OLD.copy_id)
  AND campaign_id = (SELECT d.campaign_id FROM copy AS c, donation AS d
                     WHERE c.id = OLD.copy_id AND d.id = c.donation_id);
  RETURN NULL;
END
$$
-- statement --
CREATE TRIGGER tally_loan_delete AFTER DELETE ON loan FOR EACH ROW  EXECUTE FUNCTION tally_loan_delete()
-- statement --
CREATE OR REPLACE FUNCTION tally_donation_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE campaign_book SET
  copies = campaign_book.copies - m.copies, kept = campaign_book.kept - m.kept,
  loans = campaign_book.loans - m.loans
FROM (SELECT c.book_id AS book_id, count(*) AS copies, sum(CASE WHEN c.status = 'withdrawn' THEN 0 ELSE 1 END) AS kept,
       sum((SELECT count(*) FROM loan WHERE loan.copy_id = c.id)) AS loans
FROM copy AS c WHERE c.donation_id = NEW.id GROUP BY c.book_id) AS m
WHERE campaign_book.campaign_id = OLD.campaign_id AND campaign_book.book_id = m.book_id;
  INSERT INTO campaign_book (campaign_id, book_id, kdc_class, reader_group, copies, kept, loans)
SELECT NEW.campaign_id, b.id, b.kdc_class, b.addon_reader_group, m.copies, m.kept, m.loans
FROM (SELECT c.book_id AS book_id, count(*) AS copies, sum(CASE WHEN c.status = 'withdrawn' THEN 0 ELSE 1 END) AS kept,
       sum((SELECT count(*) FROM loan WHERE loan.copy_id = c.id)) AS loans
FROM copy AS c WHERE c.donation_id = NEW.id GROUP BY c.book_id) AS m, book AS b
WHERE b.id = m.book_id AND NEW.campaign_id IS NOT NULL
ON CONFLICT (campaign_id, book_id) DO UPDATE SET
  copies = campaign_book.copies + excluded.copies,
  kept = campaign_book.kept + excluded.kept,
  loans = campaign_book.loans + excluded.loans;
  RETURN NULL;
END
$$
-- statement --
CREATE TRIGGER tally_donation_move AFTER UPDATE ON donation FOR EACH ROW WHEN (OLD.campaign_id IS DISTINCT FROM NEW.campaign_id) EXECUTE FUNCTION tally_donation_move()
-- statement --
CREATE OR REPLACE FUNCTION tally_donation_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE campaign_book SET
  copies = campaign_book.copies - m.copies, kept = campaign_book.kept - m.kept,
  loans = campaign_book.loans - m.loans
FROM (SELECT c.book_id AS book_id, count(*) AS copies, sum(CASE WHEN c.status = 'withdrawn' THEN 0 ELSE 1 END) AS kept,
       sum((SELECT count(*) FROM loan WHERE loan.copy_id = c.id)) AS loans
FROM copy AS c WHERE c.donation_id = OLD.id GROUP BY c.book_id) AS m
WHERE campaign_book.campaign_id = OLD.campaign_id AND campaign_book.book_id = m.book_id;
  RETURN OLD;
END
$$
-- statement --
CREATE TRIGGER tally_donation_delete BEFORE DELETE ON donation FOR EACH ROW WHEN (OLD.campaign_id IS NOT NULL) EXECUTE FUNCTION tally_donation_delete()
-- statement --
CREATE OR REPLACE FUNCTION tally_book_reclass() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE campaign_book SET kdc_class = NEW.kdc_class, reader_group = NEW.addon_reader_group
WHERE book_id = NEW.id;
  RETURN NULL;
END
$$
-- statement --
CREATE TRIGGER tally_book_reclass AFTER UPDATE ON book FOR EACH ROW WHEN (OLD.kdc_class IS DISTINCT FROM NEW.kdc_class OR OLD.addon_reader_group IS DISTINCT FROM NEW.addon_reader_group) EXECUTE FUNCTION tally_book_reclass()
