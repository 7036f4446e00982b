-- Version 5: an invitation keeps the public half of its invitation key (from the inviter's
-- signed statement), so enrolment refuses a member statement that key did not sign.
ALTER TABLE invites ADD COLUMN invite_pk BLOB;
