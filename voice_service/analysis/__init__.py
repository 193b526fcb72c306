"""Analysis of free-text answers: themes, sentiment, safeguarding flags and PII redaction.

Pure functions over plain data (no Flask, no database). The one entry point is
``voice_service.analysis.pipeline.classify``; see that module for the contract.
"""
