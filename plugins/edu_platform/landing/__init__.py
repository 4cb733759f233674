"""The raw zone: records as delivered, with lineage, loaded by COPY in one transaction per batch."""
