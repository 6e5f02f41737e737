"""Evaluation harness: gold quotes in stored text, metrics, baselines, reports and the CI gate (`python -m eval run`)."""
