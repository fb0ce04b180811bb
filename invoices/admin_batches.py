"""The admin's view of batches (implemented by the batches work)."""
