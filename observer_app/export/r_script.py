"""``read_observer_export.R``: the R script written beside the CSV files.

It reads ``codebook.csv`` first and then every table with the types the codebook gives
(integers, numbers, dates, UTC date-times, booleans as logical, text), sets each variable's
label as its ``label`` attribute (what RStudio's viewer and the labelled/haven packages show),
turns labelled 0/1 variables into logicals, and strips the ``'`` that protects formula-like
text from spreadsheets. Base R only.
"""

from __future__ import annotations

R_SCRIPT_NAME = "read_observer_export.R"

R_SCRIPT = r"""# Reads an observer-app export (the CSV files in this folder) with types and labels.
# Base R only. Usage:
#   source("read_observer_export.R")
#   study <- read_observer_export("path/to/this/folder")
#   head(study$events); attr(study$events$phase, "label")
read_observer_export <- function(dir = ".") {
  opts <- list(fileEncoding = "UTF-8-BOM", na.strings = "", stringsAsFactors = FALSE,
               check.names = FALSE)
  cb <- do.call(read.csv, c(list(file.path(dir, "codebook.csv"), colClasses = "character"),
                            opts))
  unprotect <- function(x) sub("^'([-=+@\t\r])", "\\1", x)
  tables <- list()
  for (file in unique(cb$csv_file)) {
    vars <- cb[cb$csv_file == file, ]
    path <- file.path(dir, file)
    if (!file.exists(path)) next
    cls <- ifelse(vars$type == "integer" | startsWith(vars$type, "boolean"), "integer",
                  ifelse(vars$type == "number", "numeric", "character"))
    names(cls) <- vars$variable
    d <- do.call(read.csv, c(list(path, colClasses = cls), opts))
    for (k in seq_len(nrow(vars))) {
      v <- vars$variable[k]
      t <- vars$type[k]
      if (startsWith(t, "date-time")) {
        d[[v]] <- as.POSIXct(d[[v]], tz = "UTC", format = "%Y-%m-%d %H:%M:%S")
      } else if (startsWith(t, "date")) {
        d[[v]] <- as.Date(d[[v]])
      } else if (startsWith(t, "boolean")) {
        d[[v]] <- as.logical(d[[v]])
      } else if (cls[[v]] == "character") {
        d[[v]] <- unprotect(d[[v]])
      }
      attr(d[[v]], "label") <- vars$label[k]
    }
    tables[[sub("\\.csv$", "", file)]] <- d
  }
  tables
}
"""
