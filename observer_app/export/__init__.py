"""Exports of a study: the PI workbook (openpyxl) and tidy CSV files."""
