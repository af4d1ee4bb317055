"""Text: segmentation, word frequencies and word tables, the French bigram table.

The bottom of the pipeline: it imports nothing of ``mt``, and every stage may import it.
"""
