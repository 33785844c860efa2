from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from proposals.models import Proposal


class ProposalDetailView(DetailView):
    template_name = "proposals/proposal_detail.html"
    context_object_name = "proposal"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Proposal.objects.public().select_related("cycle", "scope__district", "policy_area"),
            pk=self.kwargs["pk"],
        )
