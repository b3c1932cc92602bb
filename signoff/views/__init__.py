"""Sign-off pages: asking for promotion, the request, reviews, queues, assignment and packets.

Each view asks signoff.access first (404 when the thing may not be seen, 403
with the reason when it may be seen but not changed) and writes only through
signoff.services. Templates get the list of allowed actions; they decide nothing.
"""
