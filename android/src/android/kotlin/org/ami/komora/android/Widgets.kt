// The few widgets every screen is built from: the framework's own (no androidx here), sized in
// sp so large font settings scale them, each with text TalkBack can read.
package org.ami.komora.android

import android.app.DatePickerDialog
import android.content.Context
import android.graphics.Typeface
import android.text.Editable
import android.text.InputType
import android.text.TextWatcher
import android.util.TypedValue
import android.view.View
import android.view.ViewGroup
import android.view.inputmethod.EditorInfo
import android.widget.AdapterView
import android.widget.ArrayAdapter
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.Spinner
import android.widget.TextView
import java.time.LocalDate
import org.ami.komora.ui.Choice
import org.ami.komora.ui.Line

/** [onTyping]: every keystroke counts as activity for the auto-lock (typing a note is use). */
internal class Ui(val ctx: Context, private val onTyping: () -> Unit = {}) {
    private fun dp(v: Int): Int =
        TypedValue.applyDimension(TypedValue.COMPLEX_UNIT_DIP, v.toFloat(), ctx.resources.displayMetrics).toInt()

    fun column(vararg children: View): LinearLayout = LinearLayout(ctx).apply {
        orientation = LinearLayout.VERTICAL
        setPadding(dp(16), dp(12), dp(16), dp(12))
        children.forEach { addView(it) }
    }

    fun row(vararg children: View): LinearLayout = LinearLayout(ctx).apply {
        orientation = LinearLayout.HORIZONTAL
        children.forEach { addView(it, LinearLayout.LayoutParams(0, ViewGroup.LayoutParams.WRAP_CONTENT, 1f)) }
    }

    fun scroll(child: View): ScrollView = ScrollView(ctx).apply { addView(child) }

    fun title(text: String = ""): TextView = TextView(ctx).apply {
        this.text = text
        setTextSize(TypedValue.COMPLEX_UNIT_SP, 24f)
        setTypeface(typeface, Typeface.BOLD)
        setPadding(0, dp(8), 0, dp(8))
        isFocusable = true
    }

    fun heading(text: String): TextView = TextView(ctx).apply {
        this.text = text
        setTextSize(TypedValue.COMPLEX_UNIT_SP, 19f)
        setTypeface(typeface, Typeface.BOLD)
        setPadding(0, dp(16), 0, dp(4))
    }

    fun label(text: String = "", sizeSp: Float = 17f): TextView = TextView(ctx).apply {
        this.text = text
        setTextSize(TypedValue.COMPLEX_UNIT_SP, sizeSp)
        setPadding(0, dp(4), 0, dp(4))
    }

    /** A message line: hidden while empty. */
    fun message(): TextView = label().apply { visibility = View.GONE }

    fun button(text: String, onClick: () -> Unit): Button = Button(ctx).apply {
        this.text = text
        setTextSize(TypedValue.COMPLEX_UNIT_SP, 17f)
        minHeight = dp(48)
        setOnClickListener { onClick() }
    }

    /**
     * A text field. Every field here may hold something personal (a name, a phone, a code, a
     * note), so none lets the keyboard learn from it or autofill remember it.
     */
    fun field(hint: String, type: Int = InputType.TYPE_CLASS_TEXT, onChange: (String) -> Unit): EditText =
        rawField(hint, type) { onChange(it.toString()) }

    private fun rawField(hint: String, type: Int, onChange: (CharSequence) -> Unit): EditText = EditText(ctx).apply {
        this.hint = hint
        contentDescription = hint
        inputType = type
        imeOptions = imeOptions or EditorInfo.IME_FLAG_NO_PERSONALIZED_LEARNING
        importantForAutofill = View.IMPORTANT_FOR_AUTOFILL_NO
        setTextSize(TypedValue.COMPLEX_UNIT_SP, 18f)
        minHeight = dp(48)
        addTextChangedListener(object : TextWatcher {
            override fun beforeTextChanged(s: CharSequence?, start: Int, count: Int, after: Int) = Unit
            override fun onTextChanged(s: CharSequence?, start: Int, before: Int, count: Int) = Unit
            override fun afterTextChanged(s: Editable?) {
                onTyping()
                onChange(s ?: "")
            }
        })
    }

    /** A PIN: digits, hidden; handed on as the field's own characters, never as a String. */
    fun pinField(hint: String, onChange: (CharSequence) -> Unit): EditText =
        rawField(hint, InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_VARIATION_PASSWORD, onChange)

    /** Free text (notes, names): no suggestions either. */
    fun privateText(hint: String, multiLine: Boolean = false, onChange: (String) -> Unit): EditText {
        var type = InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS
        if (multiLine) type = type or InputType.TYPE_TEXT_FLAG_MULTI_LINE
        return field(hint, type, onChange).apply {
            if (multiLine) minLines = 4
        }
    }

    fun check(text: String, checked: Boolean = false, onChange: (Boolean) -> Unit): CheckBox = CheckBox(ctx).apply {
        this.text = text
        isChecked = checked
        setTextSize(TypedValue.COMPLEX_UNIT_SP, 17f)
        minHeight = dp(48)
        setOnCheckedChangeListener { _, on -> onChange(on) }
    }

    fun spinner(label: String, choices: List<Choice>, selected: String?, onPick: (String) -> Unit): Spinner = Spinner(ctx).apply {
        contentDescription = label
        adapter = ArrayAdapter(ctx, android.R.layout.simple_spinner_dropdown_item, choices.map { it.label })
        choices.indexOfFirst { it.id == selected }.takeIf { it >= 0 }?.let { setSelection(it) }
        onItemSelectedListener = object : AdapterView.OnItemSelectedListener {
            override fun onItemSelected(parent: AdapterView<*>?, view: View?, position: Int, id: Long) = onPick(choices[position].id)
            override fun onNothingSelected(parent: AdapterView<*>?) = Unit
        }
    }

    /** A button that opens the platform's date picker and hands back "YYYY-MM-DD". */
    fun dateButton(label: String, onPick: (String) -> Unit): Button = button(label) {}.apply {
        setOnClickListener {
            val today = LocalDate.now()
            DatePickerDialog(ctx, { _, y, m, d ->
                val date = LocalDate.of(y, m + 1, d).toString()
                text = date
                onPick(date)
            }, today.year, today.monthValue - 1, today.dayOfMonth).apply { secureWindow() }.show()
        }
    }

    /** Label-value lines (a profile, a session's details). */
    fun lines(container: LinearLayout, lines: List<Line>) {
        container.removeAllViews()
        for (l in lines) container.addView(label("${l.label}: ${l.value}"))
    }
}

internal fun TextView.show(text: String?) {
    this.text = text.orEmpty()
    visibility = if (text.isNullOrEmpty()) View.GONE else View.VISIBLE
}

/** Set an input's text from the state without losing the cursor while she types. */
internal fun EditText.sync(value: String) {
    if (text.toString() != value) setText(value)
}
