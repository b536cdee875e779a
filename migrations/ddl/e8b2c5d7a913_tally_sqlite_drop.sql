DROP TRIGGER IF EXISTS tally_copy_insert
-- statement --
DROP TRIGGER IF EXISTS tally_copy_delete
-- statement --
DROP TRIGGER IF EXISTS tally_copy_update
-- statement --
DROP TRIGGER IF EXISTS tally_loan_insert
-- statement --
DROP TRIGGER IF EXISTS tally_loan_delete
-- statement --
DROP TRIGGER IF EXISTS tally_donation_move
-- statement --
DROP TRIGGER IF EXISTS tally_donation_delete
-- statement --
DROP TRIGGER IF EXISTS tally_book_reclass
