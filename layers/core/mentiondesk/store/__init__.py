"""Data access: the only package that speaks DynamoDB. One table; the key design is in keys.py
and commented above the table in template.yaml."""
