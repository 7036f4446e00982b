// Link a client's relative or household member, found by name among the team's clients.
package org.ami.komora.ui

data class LinkHouseholdState(
    /** The client whose household this is. */
    val name: String = "",
    val query: String = "",
    val results: List<ClientRow> = emptyList(),
    /** The other person, once picked. */
    val other: ClientRow? = null,
    val relation: String = "",
    val relations: List<Choice> = emptyList(),
    val errors: List<FieldError> = emptyList(),
    val message: String? = null,
) : Private()

class LinkHouseholdPresenter(app: App, private val clientId: String) :
    AppPresenter<LinkHouseholdState>(app, LinkHouseholdState()) {
    override fun LinkHouseholdState.withMessage(message: String?) = copy(message = message)

    init {
        val t = app.texts
        update { it.copy(relations = Lists.get().relations.map { r -> Choice(r.id, t.term(r)) }) }
        guard { update { it.copy(name = app.vault().client(clientId).name) } }
    }

    /** Search the team's clients (not her) by name or code. */
    fun type(query: String) {
        update { it.copy(query = query) }
        if (query.isBlank()) {
            update { it.copy(results = emptyList()) }
            return
        }
        guard {
            val t = app.texts
            val rows = app.vault().searchClients(query, 20).filter { it.id != clientId }.map { c ->
                ClientRow(c.id, c.name, listOfNotNull(c.code, c.district, c.birthYear?.let { y -> t.format(Str.BORN_IN, y) }).joinToString(" · "))
            }
            update { it.copy(results = rows) }
        }
    }

    fun pick(row: ClientRow) = update { it.copy(other = row, errors = it.errors.filter { e -> e.field != "other" }) }

    fun relation(id: String) = update { it.copy(relation = id, errors = it.errors.filter { e -> e.field != "relation" }) }

    /** Record the link (both files show it) and go back to her file. */
    fun link() {
        val t = app.texts
        val s = current
        val errors = buildList {
            if (s.other == null) add(FieldError("other", t[Str.LINK_PICK_PERSON]))
            if (s.relation.isEmpty()) add(FieldError("relation", t[Str.LINK_PICK_RELATION]))
        }
        if (errors.isNotEmpty()) {
            update { it.copy(errors = errors) }
            return
        }
        if (guard { app.vault().linkClients(clientId, s.other!!.clientId, s.relation) }) app.back()
    }
}
