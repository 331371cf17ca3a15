"""The sandbox: five simulated criminal-justice web systems (police, procuratorate, court, and two other
vendors' court systems: county on layui, smartcourt a single-page app on ant-design-vue).

Real Flask applications with their own SQLite storage and server-side
sessions, served on loopback for the demo and the tests. The robot reaches
them only through their pages; the ``/_sandbox/`` routes exist for tests and
the demo and answer 404 unless the server runs in sandbox mode.
"""
