-- Nothing reads ledger postings by account: balances live on the account row and statements go by
-- transaction. The index cost a write at a random leaf per posting (a rider's wallet), logged as
-- a whole 8 KB page the first time after each checkpoint.
DROP INDEX "ledger_postings_account_idx";