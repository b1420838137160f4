"""Mentiondesk: social customer care on AWS serverless.

The one importable package, shipped as the Lambda layer. Sub-packages own one capability each;
imports flow one way: handlers (functions/) -> logic -> store / platform clients.
"""

__version__ = "0.1.0"
