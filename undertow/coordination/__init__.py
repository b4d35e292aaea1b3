"""Coordination: which accounts act in concert, grouped into campaigns with evidence.

One module per step: :mod:`keys` (what each post does, per signal),
:mod:`textsim` (normalised text and near-duplicates), :mod:`coaction`
(co-actions inside a time window, bursts), :mod:`significance` (edges kept
against a null model), :mod:`campaigns` (communities, scores, evidence),
:mod:`coshare` (CooRTweet's plain co-share definition), :mod:`export`
(CSV, JSON, GEXF, GraphML) and :mod:`evaluate` (scores against a truth file).
"""
