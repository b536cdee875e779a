DROP TRIGGER IF EXISTS tally_copy_insert ON copy
-- statement --
DROP FUNCTION IF EXISTS tally_copy_insert()
-- statement --
DROP TRIGGER IF EXISTS tally_copy_delete ON copy
-- statement --
DROP FUNCTION IF EXISTS tally_copy_delete()
-- statement --
DROP TRIGGER IF EXISTS tally_copy_update ON copy
-- statement --
DROP FUNCTION IF EXISTS tally_copy_update()
-- statement --
DROP TRIGGER IF EXISTS tally_loan_insert ON loan
-- statement --
DROP FUNCTION IF EXISTS tally_loan_insert()
-- statement --
DROP TRIGGER IF EXISTS tally_loan_delete ON loan
-- statement --
DROP FUNCTION IF EXISTS tally_loan_delete()
-- statement --
DROP TRIGGER IF EXISTS tally_donation_move ON donation
-- statement --
DROP FUNCTION IF EXISTS tally_donation_move()
-- statement --
DROP TRIGGER IF EXISTS tally_donation_delete ON donation
-- statement --
DROP FUNCTION IF EXISTS tally_donation_delete()
-- statement --
DROP TRIGGER IF EXISTS tally_book_reclass ON book
-- statement --
DROP FUNCTION IF EXISTS tally_book_reclass()
