"""Access passes on the device: check one offline, say what it grants, print one, log it all.

``trust_store`` keeps what sync brought (keys, withdrawn passes, building
owners); ``verify`` checks a pass against it and logs the outcome in
``audit_log``; ``describe`` says a pass's scope in plain words; ``pass_pdf``
writes a pass into a drawing. Nothing here needs the network.
"""
