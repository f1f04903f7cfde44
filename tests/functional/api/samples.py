"""Definitions the API tests upload."""

WORKFLOWS = """---
version: '2.0'

greet:
  description: Says hello
  tags: [demo]
  input:
    - name
    - greeting: Hello
  output:
    text: <% $.text %>
  tasks:
    say:
      action: std.echo output="<% $.greeting %>, <% $.name %>"
      publish:
        text: <% task().result %>

noop:
  tasks:
    nothing:
      action: std.noop
"""

ONE_WORKFLOW = """---
version: '2.0'

single:
  tasks:
    t1:
      action: std.noop
"""

BAD_WORKFLOW = """---
version: '2.0'

broken:
  tasks:
    t1:
      action: std.noop
      on-success: [missing_task]
"""

WORKBOOK = """---
version: '2.0'
name: book
tags: [wb]

workflows:
  flow:
    tasks:
      t1:
        action: book.hello

actions:
  hello:
    base: std.echo
    base-input:
      output: hello
"""

ACTIONS = """---
version: '2.0'

my_echo:
  description: Echo with a prefix
  input:
    - text
    - prefix: '>'
  base: std.echo
  base-input:
    output: <% $.prefix %> <% $.text %>
"""

FAILING = """---
version: '2.0'

failing:
  tasks:
    boom:
      action: std.fail error_data="it broke"
"""

ASYNC = """---
version: '2.0'

waiting:
  tasks:
    wait_for_human:
      action: std.async_noop
      publish:
        answer: <% task().result %>
  output:
    answer: <% $.answer %>
"""

PARENT = """---
version: '2.0'

parent:
  tasks:
    call_child:
      workflow: child
      input:
        name: kid

child:
  input: [name]
  tasks:
    hello:
      action: std.echo output="hi <% $.name %>"
"""

# A code source (a Python module) with one action class, for dynamic actions.
CODE_SOURCE = '''from mistral.actions.base import Action


class Hello(Action):
    """Says hello."""

    def __init__(self, name, greeting="Hello"):
        super().__init__()
        self.name = name
        self.greeting = greeting

    def run(self, context):
        return "%s, %s!" % (self.greeting, self.name)
'''
