"""Closing the loop: what happens to views after the meeting ("you said, we did", the
follow-up, the scorecard, QA's actions and the monthly pack)."""
