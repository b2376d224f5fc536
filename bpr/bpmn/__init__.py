"""BPMN 2.0 interchange (export, import) and the soundness check of a model as a workflow net.

>>> import bpr
>>> from bpr.bpmn import to_bpmn, import_bpmn
>>> model = bpr.load("models/property-registration/as-is.yaml")  # doctest: +SKIP
>>> back = import_bpmn(to_bpmn(model), file="as-is.bpmn").model  # doctest: +SKIP
>>> bpr.measure(back) == bpr.measure(model)  # doctest: +SKIP
True
"""

from bpr.analysis.petri import Soundness, check_soundness, workflow_net
from bpr.bpmn.export import export_bpmn, to_bpmn
from bpr.bpmn.importer import ImportResult, import_bpmn
from bpr.bpmn.xml import BPR_NS, BpmnError

__all__ = [
    "BPR_NS",
    "BpmnError",
    "ImportResult",
    "Soundness",
    "check_soundness",
    "export_bpmn",
    "import_bpmn",
    "to_bpmn",
    "workflow_net",
]
