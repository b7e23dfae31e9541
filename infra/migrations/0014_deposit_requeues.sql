-- When the schedule last queued a deposit's Checkout or refund job again. The sweep takes
-- a deposit only when this is unset (its first job may never have been queued) or older
-- than the queue's visibility timeout: a job that keeps failing is already retried by
-- SQS, and queuing a copy every minute would multiply it.
ALTER TABLE booking_payments ADD COLUMN requeued_at timestamptz;
