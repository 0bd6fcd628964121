"""The manager's Analysis tab (``page.AnalysisPage``): plots of ruptures and their repair, the
segment view and the phases editor."""

from observer_app.ui.manager.analysis.page import AnalysisPage

__all__ = ["AnalysisPage"]
