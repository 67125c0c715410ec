import dev.warmstart.snapshot.loader.Snapshot

// Today's Dify (DSL 0.7.0: a workflow with Agent v2 and Human Input nodes, an agent app) beside an older
// 0.5.0 chat app, in one build.
def log = new File(basedir, 'build.log').text
def tar = new File(basedir, 'target/snapshot/dify-current-1.0-snapshot.tar')
assert tar.isFile()
assert log.contains(' 3 apps, ')
assert log.contains('greeter.yml:6: DSL version 0.5.0 is older than 0.7.0')
assert !log.contains('contract-review.yml:11: DSL version')
assert !log.contains('literal secret')
def snapshot = Snapshot.open(tar.toPath())
try {
    snapshot.verify()
    assert snapshot.promptNames().containsAll([
            'apps/greeter/pre_prompt',
            'apps/billing-agent/agent_packages/agent_1/system_prompt',
            'apps/billing-agent/opening_statement',
            'apps/contract-review/nodes/1751000000003/workflow_prompt',
            'apps/contract-review/nodes/1751000000004/form_content'])
    assert snapshot.prompt('apps/greeter/pre_prompt').render([name: 'Ada']) == 'You greet Ada warmly.'
    def soul = snapshot.prompt('apps/billing-agent/agent_packages/agent_1/system_prompt')
    assert soul.variables() == ['company', 'refund_limit']
    assert soul.render([company: 'Acme', refund_limit: '20 EUR']).startsWith('You are the billing specialist of Acme.')
    def form = snapshot.prompt('apps/contract-review/nodes/1751000000004/form_content')
    assert form.render(['#1751000000003.verdict#': 'Sign it']).contains('Sign it\n\nYour comment: {{#$output.comment#}}')
    def config = snapshot.config()
    assert config.getString('apps.billing-agent.app.mode') == 'agent'
    assert config.getString('apps.billing-agent.omitted_assets[0].name') == 'refund-policy.pdf'
    assert config.getString('apps.contract-review.dsl_version') == '0.7.0'
    assert config.getString('apps.greeter.dsl_version') == '0.5.0'
} finally {
    snapshot.close()
}
return true
